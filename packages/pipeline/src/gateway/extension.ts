/**
 * A component configured under `extensions` that others use by name (an authenticator for receivers, …). The
 * gateway starts each before its receivers listen and shuts each down once the exporters have drained.
 */
export interface GatewayExtension {
  /** As in the configuration, e.g. `bearertokenauth` or `bearertokenauth/clients`. */
  readonly name: string;
  start?(): void | Promise<void>;
  shutdown?(): void | Promise<void>;
}
