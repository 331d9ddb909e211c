/**
 * `@aws-sdk/credential-provider-node` for the Lambda bundles (serverless.yml `custom.esbuild.alias`).
 *
 * Every SDK client's default credential chain (env, SSO, INI files, process, web identity, instance
 * metadata) is bundled because the client's runtime config imports it, ~100 KB with the nested STS/SSO
 * clients it needs. In Lambda the execution role's credentials are always in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: "Defined runtime environment variables"
 * in the Lambda developer guide), which is the first link of that chain — so the bundles take only it.
 * The CLI and the local stack are not bundled this way: they keep the whole chain.
 */
export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";
