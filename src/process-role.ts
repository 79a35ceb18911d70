/** What one process does: serve Slack (web), run jobs (worker), or both (all). */
export type Role = 'web' | 'worker' | 'all';
