// Loa's floors: a file imports from its own floor or below, never above (README, Architecture).
//   scripts/ cli/            compose processes
//   server/                  the API; from worker/ only the job contract
//   worker/                  job handlers, dispatch, drivers
//   prisma/                  schema, migrations, database client, repositories
//   domain/ platform/ media/ pure rules · process platform · audio toolkit
// web/ is a separate program: it may share domain/'s pure constants and nothing else.
const GROUND = '^(domain|platform|media)/';
const JOB_CONTRACT = '^worker/jobs/(catalogue|producer|verify-log-result)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import circles make the floors meaningless; move the shared part down a floor.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds pure rules: no platform, media, database or process code.',
      from: { path: '^domain/' },
      to: { path: '^(platform|media|prisma|worker|server|scripts|cli|web)/' },
    },
    {
      name: 'ground-floor-stays-down',
      severity: 'error',
      from: { path: GROUND },
      to: { path: '^(prisma|worker|server|scripts|cli|web)/' },
    },
    {
      name: 'prisma-below-worker',
      severity: 'error',
      from: { path: '^prisma/' },
      to: { path: '^(worker|server|scripts|cli|web)/' },
    },
    {
      name: 'worker-below-server',
      severity: 'error',
      from: { path: '^worker/' },
      to: { path: '^(server|scripts|cli|web)/' },
    },
    {
      name: 'server-takes-only-the-job-contract',
      severity: 'error',
      comment: 'The API enqueues work; it never runs handlers or drivers.',
      from: { path: '^server/' },
      to: { path: '^worker/', pathNot: JOB_CONTRACT },
    },
    {
      name: 'server-below-scripts',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(scripts|cli|web)/' },
    },
    {
      name: 'prisma-only-in-repositories',
      severity: 'error',
      comment: 'Only prisma/ speaks to Prisma; everything else goes through the repositories.',
      from: { path: '^(domain|platform|media|worker|server|scripts|cli)/' },
      to: { path: ['^prisma/generated/', '^node_modules/(@prisma|prisma|pglite-prisma-adapter)/'] },
    },
    {
      name: 'web-is-its-own-program',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(platform|media|prisma|worker|server|scripts|cli)/' },
    },
    {
      name: 'no-test-code-in-the-product',
      severity: 'error',
      from: { path: '^(domain|platform|media|prisma|worker|server|scripts|cli|web)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^prisma/generated/'] },
    exclude: { path: ['^web/dist/', '^data/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
