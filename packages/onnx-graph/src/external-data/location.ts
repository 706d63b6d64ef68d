import * as path from 'node:path';
import { ExternalDataError } from '../errors.js';

/**
 * Checks an external-data location and returns it in normal form (POSIX separators, no `.` or
 * `..` segments). Locations are relative to the model's folder and must stay inside it:
 * onnxruntime refuses absolute paths and paths that leave the folder, and a model file must not
 * be able to make a reader open arbitrary files.
 * @param owner names the tensor in error messages.
 */
export function normalizeLocation(location: string, owner: string): string {
  if (location === '') {
    throw new ExternalDataError(`${owner} is marked EXTERNAL but its external_data has no 'location'`);
  }
  const posix = location.replaceAll('\\', '/');
  if (path.posix.isAbsolute(posix) || path.win32.isAbsolute(location)) {
    throw new ExternalDataError(
      `${owner} has an absolute external-data location '${location}'; locations must be relative to the model's folder`,
    );
  }
  const normal = path.posix.normalize(posix);
  if (normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new ExternalDataError(
      `${owner} has external-data location '${location}', which points outside the model's folder; ` +
        'move the weight file next to the model (or link it there with relocateExternalData)',
    );
  }
  return normal;
}

/** The absolute path of an external-data location, checked to stay inside `modelDir`. */
export function resolveLocation(modelDir: string, location: string, owner: string): string {
  return path.resolve(modelDir, ...normalizeLocation(location, owner).split('/'));
}
