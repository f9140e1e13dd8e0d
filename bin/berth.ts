// One entry for every berth process and command: serve | agent | demo | mqtt-acl | operator CLI words.
const [cmd, ...rest] = process.argv.slice(2);

const USAGE = `usage: berth <command>

processes:
  serve                 run the control plane (HTTP API; embedded database)
  agent --host-id ID    run a host agent (see: berth agent --help)
  demo                  control plane + three simulated hosts + the seed VPN example
  bridge                forward agent messages from a broker to the HTTP ingest endpoint (see: berth bridge --help)
  mqtt-acl [passwd|conf] print Mosquitto's acl_file, password_file (from the database) or mosquitto.conf
  migrate               apply the database migrations to BERTH_DB_URL (a remote libSQL before npm run deploy)

operator commands talk to BERTH_URL (default http://127.0.0.1:8787) with BERTH_TOKEN
(default: the embedded .berth/admin-token).`;

async function main(): Promise<number> {
  switch (cmd) {
    case 'serve': {
      const { startServer } = await import('../functions/node/serve');
      const server = await startServer();
      const stop = async () => { await server.close(); process.exit(0); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      console.error(`berth: serving on ${server.url}`);
      return -1;
    }
    case 'agent': {
      const { runAgentCli } = await import('../agent/main');
      return runAgentCli(rest);
    }
    case 'demo': {
      const { runDemo } = await import('../functions/node/demo');
      return runDemo();
    }
    case 'bridge': {
      const { runBridgeCli } = await import('../functions/node/bridge-cli');
      return runBridgeCli(rest);
    }
    case 'mqtt-acl': {
      const { runMqttAclCli } = await import('../functions/node/mosquitto-cli');
      return runMqttAclCli(rest);
    }
    case 'migrate': {
      const { runMigrateCli } = await import('../functions/node/migrate-cli');
      return runMigrateCli(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h': {
      const { runCli, operatorHelp } = await import('../cli/main');
      // Bare `berth` on a terminal is the operator shell; `berth help host` is the CLI's help on hosts.
      if ((cmd === undefined && process.stdin.isTTY && process.stdout.isTTY) || rest.length) return runCli(cmd === undefined ? [] : [cmd, ...rest]);
      console.log(`${USAGE}\n\n${operatorHelp()}`);
      return cmd === undefined ? 2 : 0;
    }
    default: {
      const { runCli } = await import('../cli/main');
      return runCli([cmd, ...rest]);
    }
  }
}

main().then(
  (code) => { if (code >= 0) process.exit(code); },
  (e) => { console.error(`berth: ${(e as Error).message}`); process.exit(1); },
);
