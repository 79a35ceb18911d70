/**
 * Which folders of src/ may import which packages: adapters live in their own folders, and everything
 * else talks to them through ports declared beside the domain. `npm run lint` fails when a file crosses
 * a boundary. Only src/ is bound: the sandbox package (packages/sandbox) stands in for the outside world.
 */
export const importBoundaries = [
  {
    packages: ['pg', 'pg-*', 'node-pg-migrate'],
    allowedIn: ['store'],
    message: 'PostgreSQL is reached only from src/store/ (SQL lives there); use a port declared beside your domain.',
  },
  {
    packages: ['@slack/*'],
    allowedIn: ['bot', 'slack'],
    message:
      'Slack is reached only from src/bot/ (Bolt, inbound) and src/slack/ (Web API, outbound); use the Notifier or a port.',
  },
  {
    packages: ['@kubernetes/*'],
    allowedIn: ['cluster'],
    message: 'Kubernetes is reached only from src/cluster/; use the Cluster port.',
  },
  {
    packages: ['bullmq'],
    allowedIn: ['jobs'],
    message: 'BullMQ is used only in src/jobs/; use Runs or another port from there.',
  },
  {
    packages: ['ioredis'],
    allowedIn: ['redis', 'jobs'],
    message: 'Redis is reached only from src/redis/ (and src/jobs/, for BullMQ); use a port.',
  },
  {
    packages: ['vega', 'vega-*', '@resvg/*'],
    allowedIn: ['charts'],
    message: 'Charts are rendered only in src/charts/; use the ChartRenderer port.',
  },
];

const sourceFiles = 'src/**/*.ts';

/** `pg-*` → /^pg-[^/]+(\/.*)?$/: the package and its subpaths, never a local file like ./pg-audit-log.ts. */
function packageRegex(packages) {
  const names = packages.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]+'));
  return `^(${names.join('|')})(/.*)?$`;
}

function restrictions(boundaries) {
  return ['error', { patterns: boundaries.map((b) => ({ regex: packageRegex(b.packages), message: b.message })) }];
}

/**
 * Flat-config entries: every file of src/ is refused every boundary package, then each adapter folder
 * gets the list without its own packages (a later entry's rule options replace an earlier one's).
 */
export function importBoundaryConfigs(boundaries = importBoundaries) {
  const folders = [...new Set(boundaries.flatMap((b) => b.allowedIn))].sort();
  return [
    {
      files: [sourceFiles],
      rules: { '@typescript-eslint/no-restricted-imports': restrictions(boundaries) },
    },
    ...folders.map((folder) => ({
      files: [`src/${folder}/**/*.ts`],
      rules: {
        '@typescript-eslint/no-restricted-imports': restrictions(
          boundaries.filter((b) => !b.allowedIn.includes(folder)),
        ),
      },
    })),
  ];
}
