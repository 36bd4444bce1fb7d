// Kept for the bulletin service's import; the check itself lives with the language repository.
export { unknownLanguages } from '../../../prisma/repositories/languages.ts';
