// Field validators shared by the Neutron API's request bodies and the desired-state schema (issue 10): what the
// API accepts for a field that reaches the agent is exactly what the desired document allows, so a 201 means
// "this will reach the agent" and nothing is silently left out of a host's document. Runtime-neutral.
import { z } from 'zod';
import { isIpAddress } from '../model/net';

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Text that ends up in the agent's IPsec configuration: no control characters (no line or config injection). */
export const zConfigText = (max: number) => z.string().max(max).refine((s) => !CONTROL.test(s), 'must not contain control characters');

/** A DNS name: labels of letters, digits and '-', and a last label that is not all digits (so 1.2.3 is no name). */
const FQDN = /^(?=.{1,253}\.?$)(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)*(?!-)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{1,63}(?<!-)\.?$/;

/** A peer: an IPv4 or IPv6 address (never with a zone: shared/model/net isIpAddress) or a DNS name. */
export const zPeerAddress = z.string().max(255).refine((s) => isIpAddress(s) || FQDN.test(s), 'must be an IPv4 or IPv6 address or a DNS name');

/** IPv4's minimum MTU (RFC 791) up to the largest IP packet. */
export const MIN_MTU = 68;
export const MAX_MTU = 65_535;
export const zMtu = z.number().int().min(MIN_MTU, `must be at least ${MIN_MTU} (the IPv4 minimum)`).max(MAX_MTU);
