// Creates IAM users and roles on a running moto (as its admin), for tests of credential sources.
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { MotoCredentials, MotoServer } from './moto.js';

/** An IAM policy statement, as JSON. */
export type Statement = Record<string, unknown>;

const policy = (statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

function iamClient(moto: MotoServer): IAMClient {
  return new IAMClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.admin });
}

/** Statement allowing only s3:PutObject under `prefix` of the moto bucket. */
export function putOnlyStatement(moto: MotoServer, prefix = moto.prefix): Statement {
  return { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${moto.bucket}/${prefix}*` };
}

/** Creates a user with `statements` as its inline policy and resolves to its access key and ARN. */
export async function createIamUser(
  moto: MotoServer,
  name: string,
  statements: Statement[],
): Promise<MotoCredentials & { arn: string }> {
  const iam = iamClient(moto);
  try {
    const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: name, PolicyName: `${name}-policy`, PolicyDocument: policy(statements) }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    if (!User?.Arn || !AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey)
      throw new Error(`moto gave ${name} no ARN or access key`);
    return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey, arn: User.Arn };
  } finally {
    iam.destroy();
  }
}

/**
 * Creates a role that `principalArn` may assume (with `externalId`, if given, as an sts:ExternalId
 * condition) and `statements` as its inline policy. Resolves to the role ARN.
 */
export async function createIamRole(
  moto: MotoServer,
  name: string,
  principalArn: string,
  statements: Statement[],
  externalId?: string,
): Promise<string> {
  const trust = policy([
    {
      Effect: 'Allow',
      Principal: { AWS: principalArn },
      Action: 'sts:AssumeRole',
      ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
    },
  ]);
  const iam = iamClient(moto);
  try {
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: `${name}-policy`, PolicyDocument: policy(statements) }),
    );
    if (!Role?.Arn) throw new Error(`moto gave role ${name} no ARN`);
    return Role.Arn;
  } finally {
    iam.destroy();
  }
}
