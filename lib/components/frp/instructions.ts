/**
 * The tunnel server's part of dist/README.md ("Hosts", step 5): install frps, copy the one token, verify,
 * start, open the firewall. The host plan supplies what every host section has (heading, files table,
 * copy commands); the frp steps are written here, next to the files they talk about.
 */
import type { TunnelModel } from '../../model/types';
import { FRPS_PATHS } from './paths';
import { tunnelServerPorts } from './frps';
import { FRP_TOKEN_FILE, frpTokenGenerateCommands } from './token';

const code = (s: string | number) => `\`${s}\``;
const fence = (lang: string, lines: readonly string[]) => ['```' + lang, ...lines, '```'];

/** What the host plan renders for the tunnel server, as it does for every host. */
export interface FrpsHostSection {
  /** `#### name (ip): frps` */
  readonly heading: string;
  /** Lines of the table of the server's files. */
  readonly filesTable: readonly string[];
  /** Commands that install the files (empty when cloud-init does). */
  readonly copyCommands: readonly string[];
}

/** The Markdown lines of the tunnel server section, with its `###` heading. */
export function frpsInstructions(t: TunnelModel, host: FrpsHostSection): string[] {
  const server = t.server;
  const ports = tunnelServerPorts(t);
  return [
    `### 5. Tunnel server: frps on ${server.name}`,
    '',
    host.heading,
    '',
    ...host.filesTable,
    '',
    `Install the \`frps\` binary (frp v0.64 or newer, for \`auth.tokenSource\`; same release as the in-cluster frpc) at ${code(FRPS_PATHS.frpsBinary)}. The unit runs it as root with only CAP_NET_BIND_SERVICE and a read-only file system.`,
    '',
    ...fence('sh', [
      ...host.copyCommands,
      `install -m 0600 frps.env.example ${FRPS_PATHS.frpsEnv}   # then set ${t.dashboard.userEnv} and ${t.dashboard.passwordEnv}`,
    ]),
    '',
    `The client token is the one file ${code(FRP_TOKEN_FILE)} on your admin machine that the Secret ${code(`${t.namespace}/${t.token.secret.name}`)} is created from (see "Secrets to create"); never generate a second one here. From the admin machine (as root on the server, or copy it as your user and \`sudo install -m 0600 ${FRP_TOKEN_FILE} ${t.token.serverFile}\`):`,
    '',
    ...fence('sh', [...frpTokenGenerateCommands(), `scp -p -P ${t.sshPort} ${FRP_TOKEN_FILE} root@${server.ip}:${t.token.serverFile}   # -p keeps mode 0600`]),
    '',
    'Then on the server:',
    '',
    ...fence('sh', [
      `set -a && . ${FRPS_PATHS.frpsEnv} && set +a && frps verify -c ${FRPS_PATHS.frpsToml}`,
      'systemctl daemon-reload && systemctl enable --now frps',
    ]),
    '',
    `Open exactly these inbound ports (also in \`firewall-ports.txt\`; SSH first, so enabling the firewall does not lock you out): ${ports.map((p) => code(`${p.port}/${p.protocol}`)).join(', ')}, e.g. ${ports.map((p) => code(`ufw allow ${p.port}/${p.protocol}`)).join(', ')}.`,
    '',
  ];
}
