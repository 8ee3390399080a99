/**
 * @module Entry point: `skiff <command> [flags]`. Thin: each command lives in its own module.
 */
const usage = `usage: skiff <command> [flags]

commands:
  server    run the control plane (API server on an embedded store)
  agent     run a node that joins a server (--runtime sim: a simulated node)
  image     image import FILE: load an OCI or docker-save archive into a node
  version   print the version

run 'skiff <command> --help' for a command's flags`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server': {
      const { serverMain } = await import('../src/cmd/server/main.ts');
      return serverMain(rest);
    }
    case 'agent': {
      const { agentMain } = await import('../src/cmd/agent/main.ts');
      return agentMain(rest);
    }
    case 'image': {
      const [{ imageMain }, { importImageArchive }, { OciImageService }] = await Promise.all([
        import('../src/cli/commands/image-import.ts'),
        import('../src/kubelet/images/import.ts'),
        import('../src/kubelet/images/image-service.ts'),
      ]);
      return imageMain(rest, { importArchive: (file, dir, name) => importImageArchive(new OciImageService(dir), file, name) });
    }
    case 'version': {
      const { versionInfo } = await import('../src/apiserver/discovery.ts');
      process.stdout.write(`skiff ${versionInfo.gitVersion}\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(usage + '\n');
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`skiff: unknown command "${command}"\n${usage}\n`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`skiff: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
