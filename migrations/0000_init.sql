CREATE TABLE `networks` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`router_external` integer DEFAULT false NOT NULL,
	`admin_state_up` integer DEFAULT true NOT NULL,
	`status` text DEFAULT 'ACTIVE' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `networks_tenant` ON `networks` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `router_interfaces` (
	`port_id` text PRIMARY KEY NOT NULL,
	`router_id` text NOT NULL,
	`subnet_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`router_id`) REFERENCES `routers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subnet_id`) REFERENCES `subnets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `router_interfaces_router_subnet` ON `router_interfaces` (`router_id`,`subnet_id`);--> statement-breakpoint
CREATE INDEX `router_interfaces_subnet` ON `router_interfaces` (`subnet_id`);--> statement-breakpoint
CREATE TABLE `routers` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`admin_state_up` integer DEFAULT true NOT NULL,
	`status` text DEFAULT 'ACTIVE' NOT NULL,
	`gateway_network_id` text,
	`gateway_fixed_ips` text DEFAULT '[]' NOT NULL,
	`availability_zone_hints` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`gateway_network_id`) REFERENCES `networks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `routers_tenant` ON `routers` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `subnets` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`network_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`cidr` text NOT NULL,
	`ip_version` integer NOT NULL,
	`gateway_ip` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`network_id`) REFERENCES `networks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subnets_tenant` ON `subnets` (`tenant_id`);--> statement-breakpoint
CREATE INDEX `subnets_network` ON `subnets` (`network_id`);--> statement-breakpoint
CREATE TABLE `endpoint_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`endpoints` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `endpoint_groups_tenant` ON `endpoint_groups` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `ikepolicies` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`auth_algorithm` text NOT NULL,
	`encryption_algorithm` text NOT NULL,
	`phase1_negotiation_mode` text NOT NULL,
	`lifetime_units` text DEFAULT 'seconds' NOT NULL,
	`lifetime_value` integer NOT NULL,
	`ike_version` text NOT NULL,
	`pfs` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ikepolicies_tenant` ON `ikepolicies` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `ipsecpolicies` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`transform_protocol` text NOT NULL,
	`auth_algorithm` text NOT NULL,
	`encryption_algorithm` text NOT NULL,
	`encapsulation_mode` text NOT NULL,
	`lifetime_units` text DEFAULT 'seconds' NOT NULL,
	`lifetime_value` integer NOT NULL,
	`pfs` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ipsecpolicies_tenant` ON `ipsecpolicies` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `ipsec_site_connections` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`vpnservice_id` text NOT NULL,
	`ikepolicy_id` text NOT NULL,
	`ipsecpolicy_id` text NOT NULL,
	`peer_address` text NOT NULL,
	`peer_id` text NOT NULL,
	`local_id` text DEFAULT '' NOT NULL,
	`peer_cidrs` text DEFAULT '[]' NOT NULL,
	`local_ep_group_id` text,
	`peer_ep_group_id` text,
	`psk_ciphertext` text NOT NULL,
	`mtu` integer DEFAULT 1500 NOT NULL,
	`initiator` text DEFAULT 'bi-directional' NOT NULL,
	`dpd_action` text DEFAULT 'hold' NOT NULL,
	`dpd_interval` integer DEFAULT 30 NOT NULL,
	`dpd_timeout` integer DEFAULT 120 NOT NULL,
	`admin_state_up` integer DEFAULT true NOT NULL,
	`status` text DEFAULT 'PENDING_CREATE' NOT NULL,
	`route_mode` text DEFAULT 'static' NOT NULL,
	`auth_mode` text DEFAULT 'psk' NOT NULL,
	`tunnel` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`vpnservice_id`) REFERENCES `vpnservices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ikepolicy_id`) REFERENCES `ikepolicies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ipsecpolicy_id`) REFERENCES `ipsecpolicies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`local_ep_group_id`) REFERENCES `endpoint_groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`peer_ep_group_id`) REFERENCES `endpoint_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `isc_tenant` ON `ipsec_site_connections` (`tenant_id`);--> statement-breakpoint
CREATE INDEX `isc_vpnservice` ON `ipsec_site_connections` (`vpnservice_id`);--> statement-breakpoint
CREATE TABLE `vpnservices` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`router_id` text NOT NULL,
	`subnet_id` text,
	`admin_state_up` integer DEFAULT true NOT NULL,
	`status` text DEFAULT 'PENDING_CREATE' NOT NULL,
	`external_v4_ip` text,
	`external_v6_ip` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`router_id`) REFERENCES `routers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subnet_id`) REFERENCES `subnets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `vpnservices_tenant` ON `vpnservices` (`tenant_id`);--> statement-breakpoint
CREATE INDEX `vpnservices_router` ON `vpnservices` (`router_id`);--> statement-breakpoint
CREATE TABLE `chains` (
	`id` text PRIMARY KEY NOT NULL,
	`router_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`router_id`) REFERENCES `routers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chains_router_name` ON `chains` (`router_id`,`name`);--> statement-breakpoint
CREATE TABLE `container_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`container_id` text NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`host_id` text,
	`reason` text DEFAULT '' NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `container_events_container` ON `container_events` (`container_id`,`id`);--> statement-breakpoint
CREATE TABLE `container_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`policy` text DEFAULT 'least' NOT NULL,
	`host_group_id` text,
	`port_group_id` text,
	`anti_affinity` integer DEFAULT false NOT NULL,
	`router_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `containers` (
	`id` text PRIMARY KEY NOT NULL,
	`group_id` text NOT NULL,
	`port_id` text NOT NULL,
	`service_type` text NOT NULL,
	`configuration_id` text NOT NULL,
	`host_id` text,
	`placement_generation` integer DEFAULT 0 NOT NULL,
	`scheduler_state` text DEFAULT 'DOWN' NOT NULL,
	`status` text,
	`status_message` text DEFAULT '' NOT NULL,
	`namespace` text,
	`interface_name` text,
	`reported_host_id` text,
	`reported_at` integer,
	`scheduled_at` integer,
	`retries` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `container_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `containers_host` ON `containers` (`host_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `containers_config` ON `containers` (`service_type`,`configuration_id`);--> statement-breakpoint
CREATE TABLE `ports` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`router_id` text NOT NULL,
	`kind` text NOT NULL,
	`subnet_id` text,
	`address` text NOT NULL,
	`prefix_len` integer NOT NULL,
	`mac` text NOT NULL,
	`interface_name` text,
	`host_id` text,
	`service_container_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`router_id`) REFERENCES `routers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subnet_id`) REFERENCES `subnets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ports_router` ON `ports` (`router_id`);--> statement-breakpoint
CREATE INDEX `ports_host` ON `ports` (`host_id`);--> statement-breakpoint
CREATE TABLE `routes` (
	`id` text PRIMARY KEY NOT NULL,
	`router_id` text NOT NULL,
	`src_cidr` text NOT NULL,
	`dst_cidr` text NOT NULL,
	`next_hop_port_id` text NOT NULL,
	`next_hop_gateway` text,
	`origin` text NOT NULL,
	`ipsec_site_connection_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`router_id`) REFERENCES `routers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `routes_router` ON `routes` (`router_id`);--> statement-breakpoint
CREATE INDEX `routes_isc` ON `routes` (`ipsec_site_connection_id`);--> statement-breakpoint
CREATE TABLE `rules` (
	`id` text PRIMARY KEY NOT NULL,
	`chain_id` text NOT NULL,
	`position` integer NOT NULL,
	`action` text DEFAULT 'REDIRECT' NOT NULL,
	`nw_dst_ip` text NOT NULL,
	`nw_proto` integer NOT NULL,
	`tp_dst` integer,
	`target_port_id` text NOT NULL,
	`owner` text DEFAULT 'vpn' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`chain_id`) REFERENCES `chains`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rules_chain` ON `rules` (`chain_id`);--> statement-breakpoint
CREATE INDEX `rules_target` ON `rules` (`target_port_id`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`role` text NOT NULL,
	`tenant_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `dirty_hosts` (
	`host_id` text PRIMARY KEY NOT NULL,
	`marked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `host_group_members` (
	`group_id` text NOT NULL,
	`host_id` text NOT NULL,
	PRIMARY KEY(`group_id`, `host_id`),
	FOREIGN KEY (`group_id`) REFERENCES `host_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `host_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `host_groups_name_unique` ON `host_groups` (`name`);--> statement-breakpoint
CREATE TABLE `hosts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`container_weight` integer DEFAULT 1 NOT NULL,
	`container_limit` integer DEFAULT -1 NOT NULL,
	`enforce_container_limit` integer DEFAULT false NOT NULL,
	`cordoned` integer DEFAULT false NOT NULL,
	`alive` integer DEFAULT false NOT NULL,
	`last_heartbeat_at` integer,
	`last_seen_at` integer,
	`boot_id` text,
	`reported_count` integer,
	`reported_quota` integer,
	`load` integer,
	`bad_until` integer,
	`desired_generation` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`epoch` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `port_group_members` (
	`group_id` text NOT NULL,
	`port_id` text NOT NULL,
	PRIMARY KEY(`group_id`, `port_id`),
	FOREIGN KEY (`group_id`) REFERENCES `port_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `port_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `port_groups_name_unique` ON `port_groups` (`name`);