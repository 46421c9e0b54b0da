from pacefit.cli import main

main()
