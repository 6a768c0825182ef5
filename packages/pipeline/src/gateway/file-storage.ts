import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GatewayExtension } from './extension.ts';

/** The default directory of the Collector's `file_storage` extension (on Linux). */
export const DEFAULT_FILE_STORAGE_DIRECTORY = '/var/lib/otelcol/file_storage';

/**
 * `extensions.file_storage[/name]`: where exporters whose `sending_queue.storage` names it keep their durable
 * spool, each in a directory of its own under `directory`.
 */
export class FileStorageExtension implements GatewayExtension {
  readonly kind = 'storage';
  readonly name: string;
  readonly directory: string;
  readonly fsync: boolean;

  constructor(options: { readonly name: string; readonly directory: string; readonly fsync: boolean; readonly createDirectory: boolean }) {
    this.name = options.name;
    this.directory = resolve(options.directory);
    this.fsync = options.fsync;
    if (!options.createDirectory) {
      if (!existsSync(this.directory)) {
        throw new Error(`the directory ${this.directory} does not exist; create it, or set create_directory: true`);
      }
      if (!statSync(this.directory).isDirectory()) throw new Error(`${this.directory} is not a directory`);
    }
  }

  /** The spool directory of one component (e.g. `cloudwatch_logs/app`): a name safe on every file system. */
  directoryFor(componentId: string): string {
    return join(this.directory, componentId.replace(/[^A-Za-z0-9._-]/g, '_'));
  }
}

export function isStorage(extension: GatewayExtension): extension is FileStorageExtension {
  return extension instanceof FileStorageExtension;
}
