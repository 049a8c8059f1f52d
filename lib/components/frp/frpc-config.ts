/**
 * frpc.toml (frp v0.70.x), rendered with a TOML serializer from typed input. Pure.
 */
import { stringify } from 'smol-toml';

/** One TCP port frps opens on the tunnel server and frpc forwards into the cluster. */
export interface FrpcTcpProxy {
  /** Proxy name (unique per frps). */
  readonly name: string;
  /** Port on `localIP`. */
  readonly localPort: number;
  /** Port opened on the frps host. */
  readonly remotePort: number;
}

export interface FrpcConfigInput {
  readonly serverAddr: string;
  readonly serverPort: number;
  /** Where every proxy forwards to. */
  readonly localIP: string;
  readonly proxies: readonly FrpcTcpProxy[];
  readonly proxyProtocol: boolean;
  /** Path of the mounted token file (`auth.tokenSource.file.path`). */
  readonly tokenFile: string;
  readonly webServerPort: number;
  /** Environment variable holding the admin API password; undefined leaves the admin API without auth. */
  readonly webServerPasswordEnv: string | undefined;
}

export function renderFrpcToml(input: FrpcConfigInput): string {
  const config = {
    serverAddr: input.serverAddr,
    serverPort: input.serverPort,
    // Keep retrying instead of exiting when frps is unreachable; the pod stays up and Ready.
    loginFailExit: false,
    log: { to: 'console', level: 'info' },
    auth: { method: 'token', tokenSource: { type: 'file', file: { path: input.tokenFile } } },
    webServer: {
      addr: '0.0.0.0',
      port: input.webServerPort,
      // frp renders the file as a Go template with the environment: the password never appears here.
      ...(input.webServerPasswordEnv ? { password: `{{ .Envs.${input.webServerPasswordEnv} }}` } : {}),
    },
    proxies: [...input.proxies]
      .sort((a, b) => a.remotePort - b.remotePort)
      .map((p) => ({
        name: p.name,
        type: 'tcp',
        localIP: input.localIP,
        localPort: p.localPort,
        remotePort: p.remotePort,
        ...(input.proxyProtocol ? { transport: { proxyProtocolVersion: 'v2' } } : {}),
      })),
  };
  return `${stringify(config).trimEnd()}\n`;
}
