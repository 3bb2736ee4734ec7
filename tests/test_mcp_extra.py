"""routeguard mcp without the optional extra installed: exit 2 saying how to install it."""
import os
import subprocess
import sys


def test_without_the_extra_the_command_says_how_to_install(tmp_path):
    """A sitecustomize that hides the SDK, as in an install without the extra."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['mcp'] = None\n")
    import os

    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "routeguard", "mcp"], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 2 and "pip install 'routeguard[mcp]'" in proc.stderr
