CREATE TABLE `database_identity` (
	`id` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE `hosts` ADD `fence_epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `hosts` ADD `fence_held` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Hand-added (issue 10): the identity is made once, here, so every replica and the Worker read the same one.
INSERT INTO `database_identity` (`id`) VALUES (lower(hex(randomblob(16))));
