// The standalone datapath's flows for a container, and reading flow counts back from dump-flows.
import { describe, expect, it } from 'vitest';
import { exampleContainer, exampleContainerV6 } from '../../../shared/protocol/examples';
import { containerFlows, parseFlowCookies } from './flows';
import { flowCookie } from './names';

const cookie = 0xbe000001_00000002n;

describe('container flows', () => {
  it('ARP for .1, a route, three REDIRECTs and outbound normal switching, all under the cookie', () => {
    const { config } = exampleContainer(1);
    const flows = containerFlows({ cookie, config, ofport: 7, uplinkOfport: null });
    expect(flows).toEqual([
      'cookie=0xbe00000100000002,priority=300,arp,in_port=7,arp_op=1,arp_tpa=169.254.0.1,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],'
        + 'mod_dl_src:fa:16:3e:00:02:01,load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],'
        + 'load:0xfa163e000201->NXM_NX_ARP_SHA[],load:0xa9fe0001->NXM_OF_ARP_SPA[],in_port',
      'cookie=0xbe00000100000002,priority=250,ip,nw_src=192.168.1.0/24,nw_dst=192.168.2.0/24,dl_dst=fa:16:3e:00:02:01,actions=dec_ttl,mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=200,ip,nw_dst=1.0.0.2,nw_proto=50,actions=mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=200,udp,nw_dst=1.0.0.2,tp_dst=500,actions=mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=200,udp,nw_dst=1.0.0.2,tp_dst=4500,actions=mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=100,in_port=7,actions=NORMAL',
    ]);
  });

  it('IPv6: a neighbour advertisement for the router side of the /127, IPv6 routes and the REDIRECTs for the IPv6 gateway', () => {
    const flows = containerFlows({ cookie, config: exampleContainerV6(1).config, ofport: 7, uplinkOfport: null });
    expect(flows).toEqual([
      expect.stringContaining('priority=300,arp,in_port=7,arp_op=1,arp_tpa=169.254.0.1,'),
      'cookie=0xbe00000100000002,priority=300,icmp6,in_port=7,icmp_type=135,icmp_code=0,nd_target=fd62:6572:7468:4000:8000::2,actions='
        + 'move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:fa:16:3e:00:02:01,move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],'
        + 'set_field:fd62:6572:7468:4000:8000::2->ipv6_src,set_field:255->nw_ttl,set_field:136->icmpv6_type,set_field:0xe0000000->nd_reserved,'
        + 'set_field:2->nd_options_type,resubmit(,1)',
      'cookie=0xbe00000100000002,table=1,priority=300,icmp6,in_port=7,icmp_type=136,nd_target=fd62:6572:7468:4000:8000::2,actions=set_field:fa:16:3e:00:02:01->nd_tll,in_port',
      'cookie=0xbe00000100000002,priority=250,ipv6,ipv6_src=2001:db8:a::/64,ipv6_dst=2001:db8:b::/64,dl_dst=fa:16:3e:00:02:01,actions=dec_ttl,mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=200,ipv6,ipv6_dst=2001:db8:1::2,nw_proto=50,actions=mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=200,udp6,ipv6_dst=2001:db8:1::2,tp_dst=500,actions=mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=200,udp6,ipv6_dst=2001:db8:1::2,tp_dst=4500,actions=mod_dl_dst:fa:16:3e:00:01:01,output:7',
      'cookie=0xbe00000100000002,priority=100,in_port=7,actions=NORMAL',
    ]);
  });

  it.each([
    { redirect: { nwDstIp: '2001:db8::2', nwProto: 17, tpDst: 500 }, match: 'udp6,ipv6_dst=2001:db8::2,tp_dst=500' },
    { redirect: { nwDstIp: '2001:db8::2', nwProto: 50, tpDst: null }, match: 'ipv6,ipv6_dst=2001:db8::2,nw_proto=50' },
    { redirect: { nwDstIp: '1.0.0.9', nwProto: 6, tpDst: 443 }, match: 'tcp,nw_dst=1.0.0.9,tp_dst=443' },
    { redirect: { nwDstIp: '1.0.0.9', nwProto: 47, tpDst: 1 }, match: 'ip,nw_dst=1.0.0.9,nw_proto=47' },
  ])('REDIRECT $redirect.nwDstIp proto $redirect.nwProto', ({ redirect, match }) => {
    const config = { ...exampleContainer(1).config, redirects: [redirect], routes: [] };
    expect(containerFlows({ cookie, config, ofport: 3, uplinkOfport: null })[1]).toBe(`cookie=0xbe00000100000002,priority=200,${match},actions=mod_dl_dst:fa:16:3e:00:01:01,output:3`);
  });

  it('sends outbound traffic to the uplink port when there is one', () => {
    const flows = containerFlows({ cookie, config: exampleContainer(1).config, ofport: 3, uplinkOfport: 1 });
    expect(flows.at(-1)).toBe('cookie=0xbe00000100000002,priority=100,in_port=3,actions=output:1');
  });

  it('counts flows per cookie in dump-flows output', () => {
    const dump = ` cookie=0x1, priority=300,arp actions=NORMAL
 cookie=0x1, priority=100,in_port=1 actions=NORMAL
 cookie=0xbe00000100000002, priority=200,udp actions=output:2
NXST_FLOW reply (xid=0x4):`;
    expect(parseFlowCookies(dump)).toEqual(new Map([[1n, 2], [0xbe00000100000002n, 1]]));
  });

  it('keeps the owner tag in the high half of every cookie of an agent', () => {
    const a = flowCookie(0x1234, 'container-a');
    const b = flowCookie(0x1234, 'container-b');
    expect(a >> 32n).toBe(0x1234n);
    expect(b >> 32n).toBe(0x1234n);
    expect(a).not.toBe(b);
    expect(flowCookie(0x1234, 'container-a', 1)).not.toBe(a);
  });
});
