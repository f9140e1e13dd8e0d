DROP INDEX "container_events_container";--> statement-breakpoint
ALTER TABLE `container_events` ALTER COLUMN "container_id" TO "container_id" text;--> statement-breakpoint
CREATE INDEX `container_events_container` ON `container_events` (`container_id`,`id`);
