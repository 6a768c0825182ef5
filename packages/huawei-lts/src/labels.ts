/**
 * Request-level LTS labels. LTS reserves the fields it adds itself (collection time, host, container…), forbids
 * double underscores in custom field names, and takes at most 100 labels per request.
 */
export const MAX_LABELS = 100;

/** LTS built-in reserved fields ("Built-in Reserved Fields" in the LTS user guide). */
export const RESERVED_LABEL_NAMES: ReadonlySet<string> = new Set([
  'collectTime',
  '__time__',
  'lineNum',
  'category',
  'clusterName',
  'clusterId',
  'nameSpace',
  'hostName',
  'hostIP',
  'hostIPv6',
  'hostId',
  'pathFile',
  'content',
  'podIp',
  'podName',
  'containerName',
  'appName',
  'serviceID',
]);

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a label set is not acceptable to LTS, or undefined. */
export function checkLabels(labels: Readonly<Record<string, unknown>>): string | undefined {
  const names = Object.keys(labels);
  if (names.length > MAX_LABELS) return `labels: ${names.length} labels given, LTS accepts at most ${MAX_LABELS} per request`;
  for (const name of names) {
    if (RESERVED_LABEL_NAMES.has(name)) return `labels: ${JSON.stringify(name)} is an LTS reserved field name; rename the label`;
    if (!LABEL_NAME.test(name)) return `labels: ${JSON.stringify(name)} must start with a letter or '_' and contain only letters, digits and '_'`;
    if (name.includes('__')) return `labels: ${JSON.stringify(name)} must not contain a double underscore (reserved by LTS)`;
    if (typeof labels[name] !== 'string') return `labels: the value of ${JSON.stringify(name)} must be a string`;
  }
  return undefined;
}
