// Prepares the providers' own API descriptions for Prism (see ../../../shared/README.md).
// Usage: node prepare-specs.js OUTDIR
//   OUTDIR/github.json  GitHub's description, only the paths the GitHub plugin calls (Prism starts
//                       in ~2 s instead of ~12 s), `application/vnd.github+json` responses as
//                       GitHub serves them, and the shared nullable fix applied so Prism
//                       validates request bodies.
//   OUTDIR/slack.json   Slack's description without the legacy `token` parameters: the plugin
//                       authenticates with the bearer header of the spec's `slackAuth` scheme,
//                       which Slack accepts in place of a `token` parameter.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const out = process.argv[2];
if (!out) throw new Error('usage: node prepare-specs.js OUTDIR');
fs.mkdirSync(out, { recursive: true });
const shared = path.resolve(__dirname, '../../../shared');

const GITHUB_PATHS = [
  '/repos/{owner}/{repo}',
  '/repos/{owner}/{repo}/issues',
  '/repos/{owner}/{repo}/issues/{issue_number}',
  '/repos/{owner}/{repo}/issues/{issue_number}/comments',
  '/repos/{owner}/{repo}/pulls',
  '/user/repos',
  '/search/issues',
];
const github = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'node_modules/@octokit/openapi/generated/api.github.com.json'), 'utf8'),
);
const kept = {};
for (const p of GITHUB_PATHS) {
  if (!github.paths[p]) throw new Error(`GitHub's description has no path ${p}`);
  kept[p] = github.paths[p];
}
github.paths = kept;
// GitHub documents `Accept: application/vnd.github+json` and answers it with the same JSON; the
// description lists only `application/json`, so alias it or Prism answers 406.
for (const item of Object.values(kept)) {
  for (const op of Object.values(item)) {
    for (const response of Object.values((op && op.responses) || {})) {
      const json = response.content && response.content['application/json'];
      if (json) response.content['application/vnd.github+json'] = json;
    }
  }
}
const filtered = path.join(out, 'github.filtered.json');
fs.writeFileSync(filtered, JSON.stringify(github));
execFileSync('node', [path.join(shared, 'tools/prism-fix-nullable.js'), filtered, path.join(out, 'github.json')], {
  stdio: 'inherit',
});

const slack = JSON.parse(fs.readFileSync(path.join(shared, 'specs/slack/slack_web_openapi_v2.json'), 'utf8'));
for (const item of Object.values(slack.paths)) {
  for (const op of Object.values(item)) {
    if (op && Array.isArray(op.parameters)) op.parameters = op.parameters.filter((p) => p.name !== 'token');
  }
}
fs.writeFileSync(path.join(out, 'slack.json'), JSON.stringify(slack));
