CREATE TABLE `exports` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`generation_id` text NOT NULL,
	`version` integer NOT NULL,
	`format` text NOT NULL,
	`quality` integer NOT NULL,
	`aspect` text NOT NULL,
	`preset` text,
	`status` text DEFAULT 'queued' NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`error` text,
	`cancelled` integer DEFAULT false NOT NULL,
	`r2_key` text NOT NULL,
	`size_bytes` integer,
	`duration_s` real,
	`downloads` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`generation_id`) REFERENCES `generations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exports_variant_idx` ON `exports` (`generation_id`,`version`,`format`,`quality`,`aspect`);--> statement-breakpoint
CREATE INDEX `exports_user_idx` ON `exports` (`user_id`);