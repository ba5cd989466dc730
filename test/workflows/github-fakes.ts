import { chmod, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/*
 * Fakes of the two GitHub surfaces the templates reach beyond the runner
 * services: the REST API for pull-request comments (what pr-comment calls
 * through Octokit) and the `gh` CLI that two run: steps call.
 */

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  updates: number;
}

export interface FakeGitHubApi {
  url: string;
  comments: FakeComment[];
  close(): Promise<void>;
}

/** The issue-comment endpoints of the REST API, on 127.0.0.1: list, create, update. */
export async function startFakeGitHubApi(): Promise<FakeGitHubApi> {
  const comments: FakeComment[] = [];
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const view = (c: FakeComment) => ({
        id: c.id,
        body: c.body,
        html_url: `https://github.com/example/project/pull/${c.issue}#issuecomment-${c.id}`,
      });
      if (!/^(token|Bearer) \S+/.test(req.headers.authorization ?? ''))
        return send(401, { message: 'Bad credentials' });
      const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (list && req.method === 'GET') {
        return send(200, comments.filter((c) => c.issue === Number(list[1])).map(view));
      }
      if (list && req.method === 'POST') {
        const comment = {
          id: nextId++,
          issue: Number(list[1]),
          body: (JSON.parse(text) as { body: string }).body,
          updates: 0,
        };
        comments.push(comment);
        return send(201, view(comment));
      }
      const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname);
      const comment = one ? comments.find((c) => c.id === Number(one[1])) : undefined;
      if (comment && req.method === 'PATCH') {
        comment.body = (JSON.parse(text) as { body: string }).body;
        comment.updates++;
        return send(200, view(comment));
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    comments,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A `gh` on PATH that answers the two `gh api` calls of the templates with
 * what the real one would print after their `--jq`: the repository's branches
 * (from the workspace's git), and the newest run that has an `mlops-champions`
 * artifact (from the executor's shared artifacts folder). Anything else fails.
 */
export async function fakeGhBin(artifactsRoot: string): Promise<string> {
  const bin = path.join(artifactsRoot, '..', 'fake-gh-bin');
  await mkdir(bin, { recursive: true });
  const script = `#!/usr/bin/env bash
# fake gh (test/workflows/github-fakes.ts): only the calls the templates make
[ "$1" = api ] || { echo "fake gh: unsupported: $*" >&2; exit 1; }
case "$2" in
  repos/*/branches*) git -C "$GITHUB_WORKSPACE" for-each-ref --format='%(refname:short)' refs/heads ;;
  repos/*/actions/artifacts*name=mlops-champions*)
    for run in $(ls -1 ${JSON.stringify(artifactsRoot)} 2>/dev/null | sort -rn); do
      if [ -d ${JSON.stringify(artifactsRoot)}/"$run"/mlops-champions ]; then echo "$run"; break; fi
    done ;;
  *) echo "fake gh: unsupported: $*" >&2; exit 1 ;;
esac
`;
  await writeFile(path.join(bin, 'gh'), script);
  await chmod(path.join(bin, 'gh'), 0o755);
  return bin;
}
