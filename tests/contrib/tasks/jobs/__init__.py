"""The app the task-queue tests install (label `jobs`): tasks that record their runs."""
