// Pure OS knowledge of the shell: which terminal to launch where, and the XDG autostart entry on Linux.
import path from 'node:path';

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
}

/** Terminals to try, in order, to open a shell in `dir`. The first one that starts wins. */
export function terminalCandidates(platform: NodeJS.Platform, dir: string, env: NodeJS.ProcessEnv = {}): LaunchSpec[] {
  const at = (command: string, args: string[] = []): LaunchSpec => ({ command, args, cwd: dir });
  if (platform === 'darwin') return [at('open', ['-a', 'Terminal', dir])];
  if (platform === 'win32') {
    // Windows Terminal when installed; else a classic console (a detached child gets its own console window).
    return [at('wt.exe', ['-d', dir]), at('cmd.exe', ['/K'])];
  }
  const out: LaunchSpec[] = [];
  if (env.TERMINAL) out.push(at(env.TERMINAL));
  out.push(
    at('x-terminal-emulator'),
    at('gnome-terminal', [`--working-directory=${dir}`]),
    at('konsole', ['--workdir', dir]),
    at('xfce4-terminal', [`--working-directory=${dir}`]),
    at('kitty', ['--directory', dir]),
    at('alacritty', ['--working-directory', dir]),
    at('wezterm', ['start', '--cwd', dir]),
    at('foot', [`--working-directory=${dir}`]),
    at('xterm'),
  );
  return out;
}

/** Quote one argument of a desktop entry's Exec key (freedesktop Desktop Entry spec, "The Exec key"). */
export function desktopExecArg(arg: string): string {
  if (/^[A-Za-z0-9_./:=+,@%-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(config, 'autostart', 'ktrdr-sandbox.desktop');
}

/** The XDG autostart entry starting the app (hidden: tray only) at login. */
export function autostartDesktopEntry(opts: { name: string; exec: string[]; icon?: string }): string {
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${opts.name}`,
    'Comment=Isolated development stacks side by side',
    `Exec=${opts.exec.map(desktopExecArg).join(' ')}`,
    `Icon=${opts.icon ?? 'ktrdr-sandbox'}`,
    'Terminal=false',
    'Categories=Development;',
    'X-GNOME-Autostart-enabled=true',
  ];
  return `${lines.join('\n')}\n`;
}

/** The command line that starts this app: the AppImage when run from one, else the executable (+ app path in dev). */
export function selfCommand(opts: { execPath: string; appImage?: string; isPackaged: boolean; appPath: string }): string[] {
  if (opts.appImage) return [opts.appImage];
  return opts.isPackaged ? [opts.execPath] : [opts.execPath, opts.appPath];
}

/** Argument marking a launch at login: start in the tray without showing the window. */
export const HIDDEN_ARG = '--hidden';
