/**
 * Where a suite that needs a real service (PostgreSQL, Redis) runs. Without the service's URL
 * variable it is skipped on a developer machine, with the reason in its name, but fails in CI
 * (`CI` set), where a silently skipped suite would hide that it never ran.
 */
export type ServiceTarget =
  | { readonly kind: 'available'; readonly url: string }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

export function serviceTarget(
  variable: string,
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): ServiceTarget {
  const url = env[variable];
  if (url !== undefined && url !== '') return { kind: 'available', url };
  const how = 'start it with `bash tools/ci-services.sh start && source .ci/services.env`';
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') {
    return {
      kind: 'fail',
      reason: `${variable} is unset but CI is set: the ${service} tests must run in CI (${how})`,
    };
  }
  return { kind: 'skip', reason: `${variable} is unset, so the ${service} tests are skipped (${how})` };
}
