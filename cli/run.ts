// Runs one parsed command against the server: the HTTP call(s) for it and what to print. Returns the exit code.
// Changes print nothing on success (like midonet-cli); --json prints the server's answer for any command.
import { CliFailure, seg, type Client } from './client';
import type { Command } from './grammar';
import { helpText } from './help';
import { bare, eventsTable, explainText, feedTable, json, keyValues, listTable, result } from './render';
import { followEvents } from './follow';
import { fieldKey } from './words';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const COLLECTION = {
  host: { path: 'hosts', many: 'hosts', one: 'host' },
  container: { path: 'containers', many: 'containers', one: 'container' },
  'container-group': { path: 'container-groups', many: 'containerGroups', one: 'containerGroup' },
  'host-group': { path: 'host-groups', many: 'hostGroups', one: 'hostGroup' },
} as const;

export interface RunOptions {
  json: boolean;
  inShell?: boolean;
}

/** 0 on success; 1 when the server refused or could not be reached (the message goes to err). */
export async function execute(cmd: Command, opts: RunOptions, client: Client, io: Io): Promise<number> {
  try {
    await run(cmd, opts, client, io);
    return 0;
  } catch (e) {
    if (e instanceof CliFailure) {
      io.err(`berth: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

async function run(cmd: Command, opts: RunOptions, client: Client, io: Io): Promise<void> {
  const print = (text: string) => { if (text !== '') io.out(text); };
  /** --json prints the raw answer; otherwise `human` decides. */
  const answer = (body: unknown, human: () => string) => print(opts.json ? json(body) : human());

  switch (cmd.kind) {
    case 'help':
      return print(helpText(cmd.topic, opts.inShell));
    case 'shell':
      throw new CliFailure('already in the shell', 2);
    case 'list': {
      const c = COLLECTION[cmd.object];
      const { body } = await client.request('GET', `/v1/${c.path}`);
      return answer(body, () => listTable(cmd.object, body?.[c.many] ?? []));
    }
    case 'show': {
      const c = COLLECTION[cmd.object];
      const id = cmd.object === 'host-group' ? await hostGroupId(client, cmd.id) : cmd.id;
      const { body } = await client.request('GET', `/v1/${c.path}/${seg(id)}`);
      const obj = body?.[c.one] ?? {};
      if (cmd.field !== undefined) {
        const value = obj[fieldKey(cmd.object, cmd.field)!];
        // A null field still prints its (empty) line, so `$(berth ... show host)` is '' rather than missing.
        return io.out(opts.json ? json(value ?? null) : bare(value));
      }
      return answer(body, () => keyValues(cmd.object, obj));
    }
    case 'host-set': {
      const { body } = await client.request('PATCH', `/v1/hosts/${seg(cmd.id)}`, cmd.patch);
      return answer(body, () => '');
    }
    case 'host-drain': {
      const { body } = await client.request('POST', `/v1/hosts/${seg(cmd.id)}/drain`, cmd.maxParallel === undefined ? {} : { maxParallel: cmd.maxParallel }, 'host drain');
      return answer(body, () => result(body) || `host ${cmd.id}: draining`);
    }
    case 'host-token': {
      // The host's own MQTT secret, shown once (again = rotate): give it to its agent as BERTH_HOST_SECRET or --secret-file.
      const { body } = await client.request('POST', `/v1/hosts/${seg(cmd.id)}/token`, undefined, 'host token');
      return answer(body, () => (body as { token: { token: string } }).token.token);
    }
    case 'host-delete': {
      const { body } = await client.request('DELETE', `/v1/hosts/${seg(cmd.id)}`);
      return answer(body, () => '');
    }
    case 'container-set-host': {
      const { body } = await client.request('PUT', `/v1/containers/${seg(cmd.id)}/host`, { hostId: cmd.hostId }, 'container set host');
      return answer(body, () => result(body) || `container ${cmd.id}: moving to ${cmd.hostId}`);
    }
    case 'container-clear-host': {
      const { body } = await client.request('DELETE', `/v1/containers/${seg(cmd.id)}/host`, undefined, 'container clear host');
      return answer(body, () => result(body) || `container ${cmd.id}: rescheduling`);
    }
    case 'container-explain': {
      const { body } = await client.request('GET', `/v1/containers/${seg(cmd.id)}/explain`, undefined, 'container explain');
      return answer(body, () => explainText(body));
    }
    case 'container-events': {
      const { body } = await client.request('GET', `/v1/containers/${seg(cmd.id)}/events`);
      return answer(body, () => eventsTable(body?.events ?? []));
    }
    case 'container-group-set': {
      const { body } = await client.request('PATCH', `/v1/container-groups/${seg(cmd.id)}`, cmd.patch);
      return answer(body, () => '');
    }
    case 'host-group-create': {
      const { body } = await client.request('POST', '/v1/host-groups', { name: cmd.name });
      return answer(body, () => bare(body?.hostGroup?.id));
    }
    case 'host-group-member': {
      const gid = await hostGroupId(client, cmd.id);
      const { body } = await client.request(cmd.op === 'add' ? 'PUT' : 'DELETE', `/v1/host-groups/${seg(gid)}/hosts/${seg(cmd.hostId)}`);
      return answer(body, () => '');
    }
    case 'rebalance': {
      const req = { dryRun: !cmd.apply, ...(cmd.maxMoves === undefined ? {} : { maxMoves: cmd.maxMoves }) };
      const { body } = await client.request('POST', '/v1/rebalance', req, 'rebalance');
      return answer(body, () => {
        const text = result(body) || 'nothing to move';
        return cmd.apply ? text : `${text}\n\n(dry run: nothing moved; add --apply to make these moves)`;
      });
    }
    case 'events': {
      if (cmd.follow) return followEvents(client, io, { json: opts.json, since: cmd.since });
      const { body } = await client.request('GET', `/v1/events${cmd.since === undefined ? '' : `?since=${cmd.since}`}`, undefined, 'events');
      return answer(body, () => feedTable(body?.events ?? []));
    }
    case 'router-southbound': {
      const { body } = await client.request('GET', `/v1/routers/${seg(cmd.id)}/southbound`);
      return answer(body, () => result(body));
    }
  }
}

/** Host groups are named by operators: accept the id or the name (an exact id wins). */
async function hostGroupId(client: Client, word: string): Promise<string> {
  const { body } = await client.request('GET', '/v1/host-groups');
  const groups: { id: string; name: string }[] = body?.hostGroups ?? [];
  const hit = groups.find((g) => g.id === word) ?? groups.find((g) => g.name === word);
  if (!hit) throw new CliFailure(`host group ${word} not found (neither an id nor a name)`);
  return hit.id;
}
