"""Background jobs: the queue (embedded or on Redis), its tasks and their records.

Reserved for the job-queue work of issue 13; filled in by that change."""
