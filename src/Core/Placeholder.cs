namespace Rlhf.Core;
