CREATE TABLE `host_credentials` (
	`host_id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`issued_by` text NOT NULL,
	`created_at` integer NOT NULL
);
