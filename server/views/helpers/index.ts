// One helper per file; this index only gathers them for the engine.
import { eq } from './eq.js';
import { formatDate } from './format-date.js';
import { formatNumber } from './format-number.js';
import { pluralize } from './pluralize.js';
import { fieldErrorId } from './field-error-id.js';
import { lookupError } from './lookup-error.js';

export const helpers = { eq, formatDate, formatNumber, pluralize, fieldErrorId, lookupError };
