-- 0006_reserved: the number of the bytes migration (SPEC W13), made on another branch.
--
-- Migration numbers are consecutive (src/migrations.ts), and concurrency keys (0007) were written
-- while W13's 0006 was not merged yet: this file holds its place and does nothing. Whoever merges
-- the two branches keeps W13's 0006 and deletes this file (two files numbered 0006 are refused
-- when the package loads, so the merge cannot forget it silently).
SELECT 1;
