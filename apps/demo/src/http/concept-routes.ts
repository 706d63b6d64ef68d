import type { FastifyInstance } from 'fastify';
import type { ConceptEntry } from '../concepts/concept-entry.js';
import type { ConceptFolder, ConceptListing } from '../concepts/concept-folder.js';
import { ConceptFolderError } from '../concepts/concept-folder-error.js';
import { CONCEPT_NAME_RULE } from '../concepts/concept-name.js';
import { ApiError } from '../errors.js';

interface UploadQuery {
  readonly name: string;
  readonly replace?: '0' | '1' | 'true' | 'false';
}

const uploadQuerySchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 200 },
    replace: { type: 'string', enum: ['0', '1', 'true', 'false'] },
  },
} as const;

/**
 * `GET /api/concepts` lists the concepts folder; `POST /api/concepts?name=NAME.safetensors[&replace=1]`
 * stores the raw bytes of the body (any content type; at most `uploadLimit` bytes) as a concept
 * file there, once they are a valid concept for the server's model.
 */
export async function registerConceptRoutes(app: FastifyInstance, folder: ConceptFolder, uploadLimit: number): Promise<void> {
  app.get('/api/concepts', async (): Promise<ConceptListing> => folder.list());

  // Uploads take the body as bytes whatever its content type, in a scope of their own.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: uploadLimit }, (_request, body, done) => done(null, body));
    scope.post<{ Querystring: UploadQuery; Body: Buffer | undefined }>(
      '/api/concepts',
      { bodyLimit: uploadLimit, schema: { querystring: uploadQuerySchema }, attachValidation: true },
      async (request, reply): Promise<{ concept: ConceptEntry }> => {
        if (request.validationError !== undefined) {
          const aboutName = request.query.name === undefined || /name/.test(request.validationError.message);
          throw aboutName
            ? new ApiError(400, 'invalid-name', `pass the file name as ?name=, ${CONCEPT_NAME_RULE}.`)
            : new ApiError(400, 'invalid-request', `querystring ${request.validationError.message}; add ?replace=1 to overwrite an existing file.`);
        }
        const bytes = request.body ?? Buffer.alloc(0);
        const replace = request.query.replace === '1' || request.query.replace === 'true';
        try {
          const concept = await folder.save(request.query.name, bytes, replace);
          return await reply.code(201).send({ concept });
        } catch (error) {
          if (error instanceof ConceptFolderError) throw new ApiError(400, error.code, error.message, { cause: error });
          throw error;
        }
      },
    );
  });
}
