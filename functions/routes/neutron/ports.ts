// /v2.0/ports: read-only list and show of router interface ports (clients read them; berth makes them).
import { portView } from '../../http/openapi/neutron-views';
import { neutronReadRoutes } from '../../http/neutron-resource';
import { listPorts, showPort } from '../../services/ports/read';

export function portRoutes() {
  return neutronReadRoutes({ singular: 'port', plural: 'ports', view: portView, list: listPorts, show: showPort });
}
