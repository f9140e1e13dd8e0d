ALTER TABLE `leases` ADD `leader_since` integer;--> statement-breakpoint
ALTER TABLE `leases` ADD `fingerprint` text;--> statement-breakpoint
ALTER TABLE `leases` ADD `fleet_changed_at` integer;--> statement-breakpoint
ALTER TABLE `leases` ADD `heard_at` integer;--> statement-breakpoint
ALTER TABLE `leases` ADD `hearing_since` integer;