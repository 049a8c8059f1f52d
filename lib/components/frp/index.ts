/**
 * frp, one component with two ends, kept together (kubespray-style: one folder owns all of a component's
 * files):
 * - the client, frpc, in the cluster: the `Frpc` construct and its `frpc.toml` (`renderFrpcToml`);
 * - the server, frps, on the tunnel server (VPS): `frps.toml`, its systemd unit, the dashboard credential
 *   template and the firewall list (`frpsHostArtifacts`), and the inbound ports (`tunnelServerPorts`);
 * - the contract between them: the one token file both ends are created from (`FRP_TOKEN_FILE`), the
 *   frps paths (`FRPS_PATHS`) and the README steps for the server (`frpsInstructions`).
 *
 * The model of the tunnel (`TunnelModel`) stays in lib/model; the app maps it to these props and inputs.
 */
export * from './frpc';
export * from './frpc-config';
export { frpsHostArtifacts, renderFirewallPorts, renderFrpsEnvExample, renderFrpsService, renderFrpsToml, tunnelServerPorts, type TunnelPort } from './frps';
export { frpsInstructions, type FrpsHostSection } from './instructions';
export { FRPS_PATHS } from './paths';
export { FRP_TOKEN_FILE, frpTokenGenerateCommands } from './token';
