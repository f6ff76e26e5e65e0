ALTER TABLE `users` ADD `monthly_budget_usd` real;--> statement-breakpoint
ALTER TABLE `users` ADD `month_spend_usd` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `spend_month` text;