// Pure rendering of a container's own strongswan.conf: the charon confined to one namespace reads only this
// file (STRONGSWAN_CONF), so its vici socket, log and plugin set are private to the container.
import type { IpsecBackend } from './swanctl-conf';
import type { ContainerPaths } from './names';

/**
 * Plugins for PSK site-to-site tunnels. Missing optional plugins only warn. The userspace ESP backend must
 * load before kernel-netlink (it takes over the IPsec part, kernel-netlink keeps addresses and routes).
 */
export function pluginList(backend: IpsecBackend): string {
  const crypto = 'random nonce openssl pem pkcs1 pkcs8 x509 pubkey sha1 sha2 md5 hmac aes des xcbc cmac ctr ccm gcm gmp curve25519 kdf';
  const kernel = backend === 'libipsec' ? 'kernel-libipsec kernel-netlink' : 'kernel-netlink';
  return `${crypto} socket-default ${kernel} vici`;
}

export function renderStrongswanConf(containerId: string, paths: Pick<ContainerPaths, 'vici' | 'log'>, backend: IpsecBackend): string {
  return `# strongswan.conf of berth container ${containerId}: rendered by the agent; charon runs with
# STRONGSWAN_CONF pointing here, inside the container's network namespace.
charon-systemd {
  journal {
    default = -1
  }
}
charon {
  load_modular = no
  load = ${pluginList(backend)}
  # Each Neutron connection gets its own IKE_SA, so re-keying one never touches another.
  reuse_ikesa = no
  install_virtual_ip = no
  plugins {
    vici {
      socket = unix://${paths.vici}
    }
  }
  filelog {
    berth {
      path = ${paths.log}
      default = 1
      flush_line = yes
      time_format = %F %T
      ike_name = yes
    }
  }
}
swanctl {
  load = pem pkcs1 pkcs8 x509 pubkey
}
`;
}
