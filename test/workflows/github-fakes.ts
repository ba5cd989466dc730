import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/*
 * The `gh` CLI that two run: steps of the templates call. (The REST API that
 * pr-comment calls is test/support/github-api.ts.)
 */

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
