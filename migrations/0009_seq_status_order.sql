ALTER TABLE `hosts` ADD `status_boot_id` text;--> statement-breakpoint
ALTER TABLE `hosts` ADD `status_seq` integer;