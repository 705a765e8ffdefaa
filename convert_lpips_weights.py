"""Convert the official PyTorch LPIPS AlexNet weights to NNabla's alex_with_LPIPS.h5, without torch.

    python convert_lpips_weights.py --alexnet alexnet-owt-7be5be79.pth --lpips alex.pth \
        --output alex_with_LPIPS.h5

--alexnet: torchvision's ImageNet AlexNet state dict (features.<i>.weight|bias are used).
--lpips:   the LPIPS project's v0.1 linear layers, lpips/weights/v0.1/alex.pth (its v0.0's are refused).
The result has the names, shapes and layout of NNabla's published alex_with_LPIPS.h5 (utils/lpips.py).
"""
import logging
import os

from utils.errors import exit_at_once_on_stop_signals

if __name__ == "__main__":
    exit_at_once_on_stop_signals()  # Ctrl-C or SIGTERM while the libraries load: one line, exit code 130

logging.getLogger("nnabla").setLevel(logging.WARNING)  # before nnabla's import logs its start-up

from utils.atomic_files import check_name_length, remove_stale_temporaries
from utils.errors import exit_on_user_error, printable
from utils.flags import FlagParser
from utils.lpips import save_lpips_weights, weights_from_torch
from utils.paths import input_file, not_an_input, output_file
from utils.torch_pickle import read_state_dict


def parse_args(argv=None):
    parser = FlagParser(description="PyTorch AlexNet + LPIPS v0.1 weights (.pth) -> NNabla .h5")
    parser.add_argument("--alexnet", required=True, help="torchvision AlexNet state dict (.pth)")
    parser.add_argument("--lpips", required=True, help="LPIPS v0.1 linear layers, weights/v0.1/alex.pth")
    parser.add_argument("--output", required=True, help="NNabla parameter file to write (.h5)")
    args = parser.parse_args(argv)
    input_file(args.alexnet, "--alexnet")
    input_file(args.lpips, "--lpips")
    output_file(args.output, "--output", (".h5",), "alex_with_LPIPS")
    check_name_length(args.output, "choose a shorter --output")  # else ENAMETOOLONG after the conversion
    # a .pth saved as .h5 would be replaced by the result
    not_an_input(args.output, "--output", [("--alexnet", args.alexnet), ("--lpips", args.lpips)])
    return args


def run(args):
    arrays = weights_from_torch(read_state_dict(args.alexnet), read_state_dict(args.lpips), (args.alexnet, args.lpips))
    # what a run killed while saving (kill -9) left beside the output, which no later run would finish
    # the folder as the system reads it: os.path.abspath drops 'lnk/..' as text (another folder's temporaries)
    remove_stale_temporaries(os.path.dirname(args.output) or os.curdir, {os.path.basename(args.output)},
                             (args.alexnet, args.lpips))
    save_lpips_weights(args.output, arrays)
    print(f"wrote {len(arrays)} LPIPS parameters to {printable(args.output)}")


def main(argv=None):
    with exit_on_user_error():
        run(parse_args(argv))


if __name__ == "__main__":
    main()
