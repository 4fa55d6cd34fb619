"""Data package: sample images referenced by the built-ins' sample inputs."""
