/** Splits `host:port` / `[v6]:port` into its parts. */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]+):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid address '${addr}': use host:port, e.g. 127.0.0.1:8080`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`invalid port in '${addr}'`);
  return { host: m[1]!, port };
}
