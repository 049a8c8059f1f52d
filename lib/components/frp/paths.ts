/**
 * Where frps lives on the tunnel server. Part of the host path table (`HOST_PATHS` spreads it), kept here
 * so the frp component owns its files; a leaf module, so lib/hosts/paths.ts can import it.
 */
export const FRPS_PATHS = {
  frpsBinary: '/usr/local/bin/frps',
  frpsToml: '/etc/frp/frps.toml',
  frpsEnv: '/etc/frp/frps.env',
  frpsUnit: '/etc/systemd/system/frps.service',
} as const;
