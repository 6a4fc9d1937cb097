// Placeholder entry point replaced by the CLI work in this same change.
int main() { return 0; }
