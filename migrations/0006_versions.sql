ALTER TABLE `generations` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `generations` ADD `versions` text;