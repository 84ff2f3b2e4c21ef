/** Previous/next links for a list page, keeping the other query parameters. */
export function paginationModel(basePath: string, query: Record<string, unknown>, result: { total: number; page: number; pageSize: number }) {
  const pageCount = Math.max(1, Math.ceil(result.total / result.pageSize));
  const hrefFor = (page: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '' && k !== 'page') params.set(k, String(v));
    if (page > 1) params.set('page', String(page));
    const qs = params.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  return {
    page: result.page,
    pageCount,
    from: result.total === 0 ? 0 : (result.page - 1) * result.pageSize + 1,
    to: Math.min(result.total, result.page * result.pageSize),
    total: result.total,
    previousHref: result.page > 1 ? hrefFor(result.page - 1) : null,
    nextHref: result.page < pageCount ? hrefFor(result.page + 1) : null,
  };
}
