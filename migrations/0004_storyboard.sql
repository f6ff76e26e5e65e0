ALTER TABLE `generations` ADD `scene_keyframes` text;--> statement-breakpoint
ALTER TABLE `generations` ADD `refinements` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `generations` ADD `revision` integer DEFAULT 0 NOT NULL;