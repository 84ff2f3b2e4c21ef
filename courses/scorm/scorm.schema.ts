import { z } from 'zod';
import { optionalText, requiredText } from '../../server/http/common.schema.js';

export const newCourseFields = z.object({
  title: requiredText('Title', 200),
  description: optionalText(5000).transform((v) => v ?? ''),
});
