ALTER TABLE `hosts` ADD `bad_boot_id` text;--> statement-breakpoint
ALTER TABLE `leases` ADD `events_published_id` integer;