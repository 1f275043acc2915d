# actlab data / summary / train / predict end to end.
set(_A $<TARGET_FILE:actlab_cli>)
set(_E ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh)
set(_S ${CMAKE_CURRENT_SOURCE_DIR}/cli/skip_unless.sh)
set(_HOUSE ${PROJECT_SOURCE_DIR}/../shared/data/house-prices/train.csv)
set(_FMNIST /usr/share/datasets/fashion-mnist)

function(cli_test2 name)
    add_test(NAME cli_${name} COMMAND ${ARGN})
    set_tests_properties(cli_${name} PROPERTIES LABELS fast TIMEOUT 120 SKIP_RETURN_CODE 77)
endfunction()

cli_test2(summary_lenet5 ${_E} 0 "conv2d \\(Conv2D\\).*\\(None, 6, 32, 32\\).*Total params: 697,046" -- ${_A} summary lenet5 --input 3,32,32)
cli_test2(summary_house_mlp ${_E} 0 "dense_3 \\(Dense\\).*Total params: 53,389" -- ${_A} summary house-mlp --input 288 --act elu)
cli_test2(summary_bad_spec ${_E} 2 "unknown layer kind 'dens'.*dense" -- ${_A} summary "dens(5)" --input 4)
cli_test2(summary_bad_shape ${_E} 2 "--input '3,x': C,H,W or N" -- ${_A} summary lenet5 --input 3,x)
cli_test2(data_missing_file ${_E} 1 "nope\\.csv" -- ${_A} data inspect csv:/nonexistent/nope.csv)
cli_test2(data_bad_source ${_E} 2 "unknown data source 'foo:bar'" -- ${_A} data inspect foo:bar)
cli_test2(data_prepare_needs_o ${_E} 2 "prepare needs -o" -- ${_A} data prepare csv:x.csv)
cli_test2(train_needs_data ${_E} 2 "--data SOURCE is required" -- ${_A} train --model lenet5)
cli_test2(pipeline ${CMAKE_CURRENT_SOURCE_DIR}/cli/pipeline.sh ${_A} ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/table)

# Real data: Debian's Fashion-MNIST (installed by scripts/deps.sh) and the Kaggle table in
# ../shared (not in a user's clone: then these say they skip, and why).
cli_test2(data_inspect_fashion_mnist ${_S} ${_FMNIST} "apt-get install dataset-fashion-mnist" --
    ${_E} 0 "fashion-mnist: 60000 samples.*\\(60000, 1, 28, 28\\) float32, range \\[0, 1\\].*Ankle boot +6000" -- ${_A} data inspect fashion-mnist)
cli_test2(data_inspect_fashion_mnist_test ${_S} ${_FMNIST} "apt-get install dataset-fashion-mnist" --
    ${_E} 0 "10000 samples" -- ${_A} data inspect fashion-mnist --split test)
cli_test2(data_prepare_house_prices ${_S} ${_HOUSE} "the Kaggle data is only in the project's shared folder" --
    ${_E} 0 "wrote .*X\\.npy and .*Y\\.npy \\(1168 rows\\).*\\(292 rows\\)" -- ${_A} data prepare csv:${_HOUSE} --target SalePrice --drop Id --val 0.2 --seed 42 -o ${CMAKE_CURRENT_BINARY_DIR}/house_X.npy ${CMAKE_CURRENT_BINARY_DIR}/house_Y.npy)
cli_test2(data_inspect_house_prices ${_S} ${_HOUSE} "the Kaggle data is only in the project's shared folder" --
    ${_E} 0 "1460 rows, 81 columns.*LotFrontage +numeric +259.*gives 288 features" -- ${_A} data inspect csv:${_HOUSE} --target SalePrice --drop Id)

# Weights trained here load into PyTorch and predict the same (skipped without python3-torch).
cli_test2(torch_load ${CMAKE_CURRENT_SOURCE_DIR}/cli/torch_load.sh ${_A} ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/table)
