ALTER TABLE `ipsec_site_connections` ADD `send_error` text;--> statement-breakpoint
ALTER TABLE `vpnservices` ADD `send_error` text;