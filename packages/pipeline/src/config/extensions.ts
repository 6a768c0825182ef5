import { BearerTokenAuthenticator } from '../gateway/auth.ts';
import type { GatewayExtension } from '../gateway/extension.ts';
import { DEFAULT_FILE_STORAGE_DIRECTORY, FileStorageExtension } from '../gateway/file-storage.ts';
import type { ConfigNode } from './node.ts';

type ExtensionFactory = (id: string, node: ConfigNode) => GatewayExtension | undefined;

function bearerTokenAuthFromConfig(id: string, node: ConfigNode): GatewayExtension | undefined {
  if (!node.map(['token', 'tokens', 'filename', 'scheme', 'header'])) {
    node.problem('expected token: <token> (or tokens: [..], or filename: <file with one token a line>)');
    return undefined;
  }
  const token = node.child('token').string();
  const tokens = node.child('tokens').stringList();
  const filename = node.child('filename').string();
  const given = [token, tokens, filename].filter((source) => source !== undefined).length;
  if (given !== 1) {
    node.problem(
      given === 0
        ? 'required: token, tokens or filename (e.g. token: ${env:GATEWAY_TOKEN}); an environment variable that is set but empty leaves it unset'
        : 'give one of token, tokens and filename, not several',
    );
    return undefined;
  }
  const scheme = node.child('scheme').present ? (node.child('scheme').string() ?? '') : undefined;
  const header = node.child('header').string();
  // The factory names the file or the token's position, never a token's text.
  return node.attempt(() => new BearerTokenAuthenticator({ name: id, tokens: token !== undefined ? [token] : tokens, filename, scheme, header }), `${node.path}: `);
}

function fileStorageFromConfig(id: string, node: ConfigNode): GatewayExtension | undefined {
  if (node.present && node.value !== null && !node.map(['directory', 'fsync', 'create_directory'])) return undefined;
  const directory = node.child('directory').string() ?? DEFAULT_FILE_STORAGE_DIRECTORY;
  const fsync = node.child('fsync').boolean() ?? false;
  const createDirectory = node.child('create_directory').boolean() ?? false;
  return node.attempt(() => new FileStorageExtension({ name: id, directory, fsync, createDirectory }), `${node.path}: `);
}

/** Extension types by the name the configuration uses (as in the Collector: `<type>` or `<type>/<name>`). */
const EXTENSION_FACTORIES: Readonly<Record<string, ExtensionFactory>> = {
  bearertokenauth: bearerTokenAuthFromConfig,
  file_storage: fileStorageFromConfig,
};

export const EXTENSION_TYPES: readonly string[] = Object.keys(EXTENSION_FACTORIES);

/**
 * The declared extensions, built, and how receivers, exporters and the like look one up by name with the
 * capability they need (an authenticator, a storage…). As in the Collector, when `service.extensions` is given,
 * only the extensions it lists are in service; without it, every one that is used is.
 */
export class ExtensionRegistry {
  private readonly built = new Map<string, GatewayExtension>();
  private readonly declared: ConfigNode;
  private readonly enabled: readonly string[] | undefined = undefined;
  private readonly used = new Set<string>();

  constructor(declared: ConfigNode, enabled: ConfigNode) {
    this.declared = declared;
    for (const [id, node] of declared.entries()) {
      const factory = EXTENSION_FACTORIES[id.split('/', 1)[0]!];
      if (!factory) {
        node.problem(`unknown extension type; allowed: ${EXTENSION_TYPES.join(', ')} (as <type> or <type>/<name>)`);
        continue;
      }
      const extension = factory(id, node);
      if (extension) this.built.set(id, extension);
    }
    if (!enabled.present) return;
    this.enabled = enabled.list('a list of extension names').map((item) => {
      const id = item.string();
      if (id !== undefined && !this.isDeclared(id)) item.problem(`extension ${JSON.stringify(id)} is not declared under extensions`);
      return id ?? '';
    });
  }

  /**
   * The extension `node` names, when it is declared, in service and has the capability `is` checks for;
   * otherwise a problem at `node` saying which of these is wrong, and undefined.
   */
  resolve<T extends GatewayExtension>(node: ConfigNode, is: (extension: GatewayExtension) => extension is T, capability: string): T | undefined {
    const id = node.string();
    if (id === undefined) {
      node.problem(`required: the name of ${capability} declared under extensions`);
      return undefined;
    }
    if (!this.isDeclared(id)) {
      node.problem(`extension ${JSON.stringify(id)} is not declared under extensions; declare it there, e.g. extensions: { ${id}: { ... } }`);
      return undefined;
    }
    if (this.enabled !== undefined && !this.enabled.includes(id)) {
      node.problem(`extension ${JSON.stringify(id)} is not listed in service.extensions; add it there (or remove service.extensions to enable every extension in use)`);
      return undefined;
    }
    // Declared with problems of its own: those are reported already.
    const extension = this.built.get(id);
    if (!extension) return undefined;
    if (!is(extension)) {
      node.problem(`extension ${JSON.stringify(id)} is not ${capability}`);
      return undefined;
    }
    this.used.add(id);
    return extension;
  }

  /** The extensions the gateway runs: the ones listed in service.extensions, or else the ones in use. */
  inService(): GatewayExtension[] {
    const ids = this.enabled ?? [...this.used];
    return ids.map((id) => this.built.get(id)).filter((extension) => extension !== undefined);
  }

  private isDeclared(id: string): boolean {
    const value = this.declared.value;
    return typeof value === 'object' && value !== null && Object.hasOwn(value, id);
  }
}
